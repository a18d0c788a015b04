import { initAll } from '../nhsuk/nhsuk-frontend.min.js'

initAll()

// nhsuk-frontend marks a radio that reveals content with aria-expanded, which ARIA 1.2 does not
// allow on a radio (axe: aria-allowed-attr). The reveal keeps its aria-controls; the state is
// the radio's own checked state, which assistive technology already announces.
const stripExpanded = (radio) => radio.removeAttribute('aria-expanded')
document.querySelectorAll('input[type="radio"][aria-expanded]').forEach(stripExpanded)
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.type === 'radio' && change.target.hasAttribute('aria-expanded')) {
      stripExpanded(change.target)
    }
  }
}).observe(document.body, { attributes: true, attributeFilter: ['aria-expanded'], subtree: true })

// A report's PDF is made by a task: while it waits, its page asks how far it has got (every
// two seconds, until a little after the time a PDF may take, when the answer is "could not be
// made"), shows it, and reloads once it is ready or has failed. Without JavaScript the page
// says to reload it.
document.querySelectorAll('[data-pdf-status]').forEach((status) => {
  const label = status.querySelector('[data-pdf-label]')
  const times = Math.ceil((Number(status.dataset.pdfSeconds) || 180) / 2) + 15
  let asked = 0
  const ask = async () => {
    asked += 1
    try {
      const response = await fetch(status.dataset.pdfStatus, { headers: { Accept: 'application/json' } })
      if (response.ok) {
        const progress = await response.json()
        if (progress.ready || progress.state === 'failed') {
          window.location.reload()
          return
        }
        if (label) label.textContent = progress.label
      }
    } catch {
      // the network dropped: try again at the next turn
    }
    if (asked < times) window.setTimeout(ask, 2000)
  }
  window.setTimeout(ask, 2000)
})

// A form is sent once. After the first press its buttons are disabled until the answer comes:
// a second press, or Enter pressed again, sends nothing. The services are the guard (a second
// request changes nothing twice); this spares the person the doubt. The buttons are disabled
// just after the browser has read the form, so the pressed button's own value is still sent.
// They come back when the page is shown again from the browser's history, and after a while
// for a form whose answer is a file to download rather than a new page.
const SENDING_SECONDS = 10
const sending = new WeakSet()
const buttonsOf = (form) =>
  form.querySelectorAll('button:not([type]), button[type="submit"], input[type="submit"]')
const release = (form) => {
  sending.delete(form)
  form.removeAttribute('aria-busy')
  buttonsOf(form).forEach((button) => { button.disabled = false })
}
document.addEventListener('submit', (event) => {
  const form = event.target
  if (event.defaultPrevented || form.method.toLowerCase() !== 'post') return
  if (sending.has(form)) {
    event.preventDefault()
    return
  }
  sending.add(form)
  form.setAttribute('aria-busy', 'true')
  window.setTimeout(() => buttonsOf(form).forEach((button) => { button.disabled = true }), 0)
  window.setTimeout(() => release(form), SENDING_SECONDS * 1000)
})
window.addEventListener('pageshow', (event) => {
  if (event.persisted) document.querySelectorAll('form[aria-busy]').forEach(release)
})

// The picker of one person among many loads only where a form offers one.
if (document.querySelector('input[data-row-picker]')) import('./row-picker.js')
