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
// two seconds, for three minutes at most), shows it, and reloads once it is ready or has
// failed. Without JavaScript the page says to reload it.
document.querySelectorAll('[data-pdf-status]').forEach((status) => {
  const label = status.querySelector('[data-pdf-label]')
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
    if (asked < 90) window.setTimeout(ask, 2000)
  }
  window.setTimeout(ask, 2000)
})
