// What both pickers (medicine-picker.js, row-picker.js) share: asking an address for the
// suggestions of what is typed, and drawing them as text, never markup.

export const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

// ``{"results": [...]}`` of ``url?q=query``; none when the answer is not a success.
export const ask = async (url, query, signal) => {
  const response = await fetch(`${url}?${new URLSearchParams({ q: query })}`, {
    headers: { Accept: 'application/json' },
    signal
  })
  return response.ok ? (await response.json()).results : []
}

// A source for accessible-autocomplete: only the answer to the latest query is shown, an
// earlier one still on its way is dropped.
export const latestOnly = (url) => {
  let pending = null
  return (query, populate) => {
    pending?.abort()
    const controller = new AbortController()
    pending = controller
    ask(url, query, controller.signal)
      .then((results) => { if (pending === controller) populate(results) })
      .catch(() => {}) // dropped, or the network is down: what is typed stands
  }
}
