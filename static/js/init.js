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
