// Where the hash points (#/jobs/<id>?status=failed) and how a page changes its query without reloading.

export function location() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  return { path: path || 'run', query: new URLSearchParams(query) };
}

export function replaceQuery(params) {
  const { path } = location();
  const query = new URLSearchParams(Object.entries(params)
    .filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString();
  history.replaceState(null, '', `#/${path}${query ? `?${query}` : ''}`);
}
