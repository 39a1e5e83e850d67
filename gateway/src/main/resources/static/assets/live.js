// Live job state: the job's Server-Sent Events (GET /api/v1/jobs/{id}/events, fed by Kafka, no polling) applied
// to what the page shows. A stream that drops before the job's end is opened again; it restarts with a snapshot.
// The Jobs list follows every job at once on GET /api/v1/jobs/events (watchAllJobs).
import { streamEvents } from './api.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'skipped']);
const TERMINAL_EVENTS = new Set(['job_completed', 'job_failed', 'job_cancelled']);

export const isTerminal = (status) => TERMINAL.has(status);

// When the stored job is read again after the stream's snapshot (see catchUp below): 0.5 s, then 1 s, 2 s, 4 s later.
const CATCH_UP_MS = 500;
const CATCH_UP_TRIES = 4;

/**
 * Follows one job. `onSnapshot(job)` gets the stored job the stream opens with, `onEvent(type, event)` each state
 * change, `onLive(bool)` whether the stream is open now. Answers a function that stops following.
 *
 * The stream sends only the events that happen after it opened, and its snapshot is the stored row, which trails
 * the events by the job status writer's delay: a job that started just before the page subscribed would look
 * queued until its next event. So after the snapshot of an unfinished job, `catchUp()` (the page re-reading what
 * it shows; it answers whether the store had caught up) runs a moment later, and a few more times while it answers
 * false: a bounded catch-up with the store, not polling — every change after that arrives as an event.
 */
export function watchJob(jobId, { onSnapshot, onEvent, onLive, onError, catchUp }) {
  let stopped = false;
  let ended = false;
  let attempts = 0;
  let close = null;
  let caughtUp = false;
  // a few reads, further apart each time, until the store has caught up with what happened before the stream
  const catchUpLater = (attempt) => setTimeout(async () => {
    if (stopped || ended) return;
    let settled = false;
    try {
      settled = await catchUp();
    } catch (e) {
      settled = false;
    }
    if (!settled && attempt < CATCH_UP_TRIES - 1) catchUpLater(attempt + 1);
  }, CATCH_UP_MS * 2 ** attempt);
  const reopen = () => {
    attempts += 1;
    setTimeout(() => { if (!stopped) open(); }, Math.min(10000, 500 * 2 ** attempts));
  };
  const open = () => {
    close = streamEvents(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, {
      onOpen: () => { attempts = 0; onLive?.(true); },
      onEvent: (type, data) => {
        if (type === 'job') {
          if (isTerminal(data.status)) ended = true;
          onSnapshot?.(data);
          if (!ended && catchUp && !caughtUp) {
            caughtUp = true;
            catchUpLater(0);
          }
        } else {
          if (TERMINAL_EVENTS.has(type)) ended = true;
          onEvent?.(type, data);
        }
      },
      onEnd: () => {
        onLive?.(false);
        if (!ended && !stopped) reopen();
      },
      onError: (error) => {
        onLive?.(false);
        if ([401, 403, 404].includes(error.status)) {
          onError?.(error);
        } else if (!stopped) {
          reopen();
        }
      },
    });
  };
  open();
  return () => { stopped = true; close?.(); };
}

/**
 * Follows every job's events on one stream: `onEvent(type, event)` gets each, `onLive(bool)` whether the stream is
 * open now, `onReopen()` runs when it opened again after a drop (events may have been missed meanwhile: re-read what
 * is shown). The stream never ends by itself; the server may drop it (timeout, a client too far behind): it is
 * opened again. Answers a function that stops following.
 */
export function watchAllJobs({ onEvent, onLive, onReopen, onError }) {
  let stopped = false;
  let attempts = 0;
  let opened = false;
  let close = null;
  const reopen = () => {
    attempts += 1;
    setTimeout(() => { if (!stopped) open(); }, Math.min(10000, 500 * 2 ** attempts));
  };
  const open = () => {
    close = streamEvents('/api/v1/jobs/events', {
      onOpen: () => {
        attempts = 0;
        onLive?.(true);
        if (opened) onReopen?.();
        opened = true;
      },
      onEvent: (type, data) => onEvent?.(type, data),
      onEnd: () => {
        onLive?.(false);
        if (!stopped) reopen();
      },
      onError: (error) => {
        onLive?.(false);
        if ([401, 403].includes(error.status)) {
          onError?.(error);
        } else if (!stopped) {
          reopen();
        }
      },
    });
  };
  open();
  return () => { stopped = true; close?.(); };
}

const STEP_RANK = { pending: 0, queued: 0, running: 1, retrying: 1, completed: 2, failed: 2, cancelled: 2, skipped: 2 };

/** Applies one event to `job` (an API job object) and `steps` (a Map from step_index to API job step). */
export function applyEvent(job, steps, type, e) {
  const step = () => {
    let s = steps.get(e.step_index);
    if (!s) {
      s = { step_index: e.step_index, step_order: e.step_order, status: 'pending', attempt: 0 };
      steps.set(e.step_index, s);
    }
    return s;
  };
  const update = (changes) => {
    const s = step();
    const older = (e.attempt || 0) < (s.attempt || 0)
      || ((e.attempt || 0) === (s.attempt || 0) && STEP_RANK[changes.status] < (STEP_RANK[s.status] ?? 0));
    if (!older) Object.assign(s, changes, { attempt: e.attempt, step_order: e.step_order });
  };
  const finish = (status, changes) => {
    if (!isTerminal(job.status)) Object.assign(job, { status, completed_at: e.at }, changes);
  };
  switch (type) {
    case 'job_started':
      if (job.status === 'queued') job.status = 'running';
      job.started_at = job.started_at || e.at;
      break;
    case 'step_started':
      update({ status: 'running', input_data: e.input, started_at: e.at, completed_at: null, error_message: null,
        stdout: null, stderr: null });
      if (job.status === 'queued') job.status = 'running';
      break;
    case 'step_completed':
      update({ status: 'completed', output_data: e.output, duration_micros: e.duration_micros, completed_at: e.at,
        stdout: e.stdout ?? null, stderr: e.stderr ?? null });
      break;
    case 'step_retrying':
      update({ status: 'retrying', error_message: `${e.error} (attempt ${e.attempt} failed; retrying at ${new Date(e.retry_at).toLocaleTimeString()})` });
      break;
    case 'step_skipped':
      update({ status: 'skipped', error_message: e.reason, completed_at: e.at });
      break;
    case 'step_failed':
      update({ status: 'failed', error_message: e.error, duration_micros: e.duration_micros, completed_at: e.at,
        stdout: e.stdout ?? null, stderr: e.stderr ?? null });
      break;
    case 'job_completed':
      finish('completed', { output_data: e.output });
      break;
    case 'job_failed':
      finish('failed', { error_message: e.error });
      break;
    case 'job_cancelled':
      finish('cancelled', { error_message: e.reason || job.error_message });
      // no step event follows a cancel: the step under way was interrupted with its job
      steps.forEach((s) => {
        if (!isTerminal(s.status)) Object.assign(s, { status: 'cancelled', completed_at: s.completed_at || e.at });
      });
      break;
    default:
      break;
  }
}
