/** Marathon's event stream: every state change as an event, fanned out to SSE subscribers. */

export interface MarathonEvent {
  eventType: string;
  timestamp: string;
  [key: string]: unknown;
}

type Listener = (event: MarathonEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  emit(eventType: string, fields: Record<string, unknown>): void {
    if (this.listeners.size === 0) return;
    const event: MarathonEvent = { ...fields, eventType, timestamp: this.now().toISOString() };
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
