// The picker of one person among many (core/nhsuk_forms/fields.py, PickedFrom): each text box
// marked `data-row-picker` (its value is the address of the suggestions) becomes an
// accessible-autocomplete (alphagov) that suggests members by name as they are typed. Choosing
// one puts their email address in the box, and that is what is sent. Without JavaScript the
// box takes the email address typed whole. init.js loads this module only on a page that has
// such a box.
import '../accessible-autocomplete/accessible-autocomplete.min.js'
import { escapeHtml, latestOnly } from './suggestions.js'

const MIN_LENGTH = 2 // as organisations/picking.py: fewer characters find nobody

const valueOf = (match) => (typeof match === 'string' ? match : match ? match.value : '')
const suggestion = (match) => escapeHtml(typeof match === 'string' ? match : match.label)

const stylesheet = (href) => {
  if (document.querySelector(`link[href="${href}"]`)) return
  const link = document.createElement('link')
  link.rel = 'stylesheet'
  link.href = href
  document.head.append(link)
}

const enhance = (input) => {
  const describedBy = input.getAttribute('aria-describedby')
  const typing = document.activeElement === input // someone already in the box stays there
  const container = document.createElement('div')
  container.className = 'mso-picker'
  input.replaceWith(container)
  window.accessibleAutocomplete({
    element: container,
    id: input.id,
    name: input.name,
    defaultValue: input.value,
    inputClasses: input.className,
    minLength: MIN_LENGTH,
    displayMenu: 'overlay',
    confirmOnBlur: false,
    source: latestOnly(input.dataset.rowPicker),
    templates: { inputValue: valueOf, suggestion },
    tNoResults: () => 'No member found with that name',
    tStatusNoResults: () => 'No member found with that name'
  })
  const field = container.querySelector('input[role="combobox"]')
  if (typing) field.focus()
  if (describedBy) {
    const own = field.getAttribute('aria-describedby')
    field.setAttribute('aria-describedby', [own, describedBy].filter(Boolean).join(' '))
  }
}

const boxes = document.querySelectorAll('input[data-row-picker]')
if (boxes.length && window.accessibleAutocomplete) {
  const base = new URL('..', import.meta.url)
  stylesheet(new URL('accessible-autocomplete/accessible-autocomplete.min.css', base).pathname)
  stylesheet(new URL('css/picker.css', base).pathname)
  boxes.forEach(enhance)
}
