/** `GET /v2/events`: Server-Sent Events, as Marathon streams them. */
import type { EventBus } from '../model/event-bus.js';
import { ApiError, type Reply, type Request } from './http.js';

const KEEPALIVE_MS = 15_000;

export function streamEvents(req: Request, bus: EventBus): Reply {
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/event-stream')) {
    // Marathon's Jetty answers 405 when the client does not accept an event stream.
    throw new ApiError(405, { message: 'The event stream needs "Accept: text/event-stream"' });
  }
  const types = new Set(req.query.getAll('event_type'));
  const res = req.res;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  send('event_stream_attached', { remoteAddress: req.raw.socket.remoteAddress ?? '127.0.0.1', eventType: 'event_stream_attached', timestamp: new Date().toISOString() });
  const unsubscribe = bus.subscribe((event) => {
    if (types.size === 0 || types.has(event.eventType)) send(event.eventType, event);
  });
  const keepalive = setInterval(() => res.write('\n'), KEEPALIVE_MS);
  const close = () => {
    clearInterval(keepalive);
    unsubscribe();
  };
  req.raw.on('close', close);
  res.on('close', close);
  return { handled: true };
}
