// A list's filters fold away behind a "Filter" button on a phone, so that its results come
// first (templates/includes/filter_toggle.html; the widths are in static/css/mso-portal.css).
// The button says whether the filters are shown (aria-expanded) and names what it opens
// (aria-controls). Without JavaScript, and on a wider screen, the filters show as they are.
document.querySelectorAll('.mso-filters__toggle').forEach((toggle) => {
  const filters = toggle.closest('.mso-filters')
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true'
    toggle.setAttribute('aria-expanded', String(open))
    filters.classList.toggle('mso-filters--open', open)
  })
})
