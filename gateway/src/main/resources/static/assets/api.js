// The dashboard's only way to the gateway: JSON over fetch, problem details turned into ApiError, and
// Server-Sent Events read from a fetch stream (EventSource cannot send the Authorization header).

const KEY_STORAGE = 'mule.apiKey';

export function apiKey() {
  return localStorage.getItem(KEY_STORAGE) || '';
}

export function setApiKey(key) {
  if (key) {
    localStorage.setItem(KEY_STORAGE, key);
  } else {
    localStorage.removeItem(KEY_STORAGE);
  }
}

/** An API refusal: `detail` and `errors` come from the RFC 9457 problem details the gateway answers. */
export class ApiError extends Error {
  constructor(status, detail, errors = [], title = '') {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.errors = errors;
    this.title = title;
  }
}

function headers(extra = {}) {
  const h = { Accept: 'application/json', ...extra };
  const key = apiKey();
  if (key) {
    h.Authorization = `Bearer ${key}`;
  }
  return h;
}

async function refusal(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  let detail = body?.detail || body?.error?.message || body?.message || body?.title
    || `${response.status} ${response.statusText || 'error'}`;
  if (response.status === 401) {
    detail += ' — set the API key under Settings.';
  }
  return new ApiError(response.status, detail, errors, body?.title || '');
}

/**
 * Calls the API. `body` is sent as JSON, or as multipart when it is a FormData. Answers the parsed JSON body
 * (the whole envelope: callers read `.data`), or null for 204.
 */
export async function api(method, path, body) {
  const init = { method, headers: headers() };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `the gateway cannot be reached (${e.message}); is Mule running?`);
  }
  if (!response.ok) {
    throw await refusal(response);
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path) => api('GET', path);

/** Every item of a paged list (page_size 100, page after page). */
export async function getAll(path) {
  const items = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await get(`${path}${sep}page=${page}&page_size=100`);
    items.push(...answer.data);
    if (page >= (answer.total_pages || 1) || page >= 50) {
      return items;
    }
  }
}

/**
 * Reads a Server-Sent Events stream. `onEvent(type, data, id)` gets each event (data parsed as JSON when it is);
 * `onEnd()` runs when the server ends the stream, `onError(error)` when it cannot be opened or breaks.
 * Answers a function that closes the stream.
 */
export function streamEvents(path, { onOpen, onEvent, onEnd, onError }) {
  const abort = new AbortController();
  (async () => {
    let response;
    try {
      response = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal: abort.signal });
    } catch (e) {
      if (!abort.signal.aborted) onError?.(new ApiError(0, `the event stream cannot be opened (${e.message})`));
      return;
    }
    if (!response.ok) {
      onError?.(await refusal(response));
      return;
    }
    onOpen?.();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          dispatch(block, onEvent);
        }
      }
      if (!abort.signal.aborted) onEnd?.();
    } catch (e) {
      if (!abort.signal.aborted) onError?.(new ApiError(0, `the event stream broke (${e.message})`));
    }
  })();
  return () => abort.abort();
}

function dispatch(block, onEvent) {
  let type = 'message';
  let id = null;
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (!data.length) return;
  const text = data.join('\n');
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // not JSON: hand over the text
  }
  onEvent?.(type, parsed, id);
}
