// The dm+d medicine picker. Each medicine name field marked `data-medicine-picker` (by the
// `medicine_picker` template filter, medicines/templatetags/medicines.py; its value is the
// address of the suggestions) becomes an accessible-autocomplete (alphagov) that suggests dm+d
// names as they are typed. Picking one puts its dm+d name in the field and its code in the
// field named by `data-medicine-code`; typing over the name afterwards takes that code out
// again. Nothing has to be picked: what is typed is what is sent. Without JavaScript both are
// plain inputs, and the find page (medicines:find) gives names and codes.
import '../accessible-autocomplete/accessible-autocomplete.min.js'
import { ask, escapeHtml, latestOnly } from './suggestions.js'

const MIN_LENGTH = 2 // as medicines/search.py: fewer characters find nothing
const LEVELS = { VTM: 'Substance', VMP: 'Generic product', AMP: 'Brand' }

// The component holds the field's first value as a string, and the suggestions as objects.
const nameOf = (match) => (typeof match === 'string' ? match : match ? match.name : '')

const suggestion = (match) => {
  if (typeof match === 'string') return escapeHtml(match)
  const controlled = match.schedule ? `, Schedule ${match.schedule} controlled drug` : ''
  return `${escapeHtml(match.label)}<span class="medicine-picker__detail">` +
    `${escapeHtml(LEVELS[match.level] + controlled)}</span>`
}

// The component gives its input its own description (how to use it, until something is
// typed); the field's hint and error message are kept in the description beside it.
const keepDescribedBy = (field, ids) => {
  const describe = () => {
    const current = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
    if (ids.every((id) => current.includes(id))) return
    field.setAttribute('aria-describedby', [...current, ...ids.filter((id) => !current.includes(id))].join(' '))
  }
  describe()
  new MutationObserver(describe).observe(field, { attributes: true, attributeFilter: ['aria-describedby'] })
}

const enhance = (input) => {
  const code = input.form?.elements.namedItem(input.dataset.medicineCode) ?? null
  const url = input.dataset.medicinePicker
  const describedBy = (input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
  let picked = null // the suggestion whose code the picker put in the code field

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
    // Leaving the field keeps what was typed: a suggestion is taken only when it is chosen.
    confirmOnBlur: false,
    source: latestOnly(url),
    templates: { inputValue: nameOf, suggestion },
    onConfirm: (match) => {
      if (!match || typeof match === 'string') return
      picked = match
      if (code) code.value = match.code
    },
    tNoResults: () => 'No dm+d medicine found: what you typed will be sent',
    tStatusNoResults: () => 'No dm+d medicine found: what you typed will be sent'
  })

  const field = container.querySelector('input[role="combobox"]')
  if (input.maxLength > 0) field.maxLength = input.maxLength
  keepDescribedBy(field, describedBy)
  field.addEventListener('input', () => {
    if (picked && field.value !== picked.name) {
      if (code && code.value === picked.code) code.value = ''
      picked = null
    }
  })

  // A page drawn again (a draft, a refused step) with a name and the code of exactly that
  // name: the code is the name's, so typing over the name takes it out too.
  if (code && code.value && input.value.length >= MIN_LENGTH) {
    ask(url, input.value)
      .then((results) => {
        const same = results.find((match) =>
          match.code === code.value && match.name.toLowerCase() === field.value.toLowerCase())
        if (same && !picked) picked = same
      })
      .catch(() => {})
  }
}

if (window.accessibleAutocomplete) {
  document.querySelectorAll('input[name$="-name"][data-medicine-picker]').forEach(enhance)
}
