/**
 * The live view of a deployment watch, drawn by ink on stderr. The only module that imports ink
 * and react: progress.ts loads it with a dynamic import, and only in an interactive terminal.
 */
import { Box, Text, render } from 'ink';
import { useEffect, useState, type ReactNode } from 'react';
import type { WatchSnapshot } from '../actions/watch-types.js';
import type { Ctx } from '../core/context.js';
import { useColor } from '../core/tty.js';
import { countsText } from '../actions/watch-text.js';
import { failureLine, formatElapsed, queueLine, stepLine, taskRows, type Tone } from './progress-format.js';

export interface LiveViewProps {
  title: string;
  snapshot?: WatchSnapshot;
  /** Colour allowed (useColor on the stream drawn to); otherwise plain text only. */
  color: boolean;
  /** When the operation started (ms since the epoch); the elapsed time counts from here. */
  startedAt: number;
  /** Stopped: no more ticking, the frame stays as it is. */
  done?: boolean;
  /** Clock and tick interval, replaceable in tests. */
  now?: () => number;
  tickMs?: number;
}

/** Text in a tone when colour is allowed, plain otherwise. */
function Tinted({ tone, on, bold, dim, children }: { tone?: Tone; on: boolean; bold?: boolean; dim?: boolean; children: ReactNode }) {
  if (!on) return <Text>{children}</Text>;
  return (
    <Text color={tone} bold={bold} dimColor={dim}>
      {children}
    </Text>
  );
}

export function LiveView({ title, snapshot, color, startedAt, done = false, now = Date.now, tickMs = 1000 }: LiveViewProps) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (done) return undefined;
    const timer = setInterval(() => setTick((n) => n + 1), tickMs);
    // A forgotten close() must not keep the process alive.
    timer.unref?.();
    return () => clearInterval(timer);
  }, [done, tickMs]);

  const start = Math.min(startedAt, snapshot?.startedAt ?? Number.POSITIVE_INFINITY);
  const elapsed = formatElapsed(now() - start);
  const step = snapshot && stepLine(snapshot);
  const queue = snapshot && queueLine(snapshot);
  const failure = snapshot && failureLine(snapshot);

  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Tinted on={color} bold>
          {title}
        </Tinted>
        <Tinted on={color} dim>{` (${elapsed})`}</Tinted>
      </Text>
      {!snapshot && (
        <Text wrap="truncate-end">
          {'  '}
          <Tinted on={color} dim>
            waiting for the first status
          </Tinted>
        </Text>
      )}
      {step && (
        <Text wrap="truncate-end">
          {'  '}
          <Tinted on={color} tone="cyan">
            {step}
          </Tinted>
        </Text>
      )}
      {snapshot && <Text wrap="truncate-end">{`  ${countsText(snapshot)}`}</Text>}
      {snapshot &&
        taskRows(snapshot.tasks).map((row, i) => (
          <Text key={`${i}:${row.id}`} wrap="truncate-end">
            {`  ${row.id}  `}
            <Tinted on={color} tone={row.state.tone}>
              {row.state.text}
            </Tinted>
            {`  ${row.address}`}
            {row.health && '  '}
            {row.health && (
              <Tinted on={color} tone={row.health.tone}>
                {row.health.text}
              </Tinted>
            )}
          </Text>
        ))}
      {queue && (
        <Text wrap="truncate-end">
          {'  '}
          <Tinted on={color} tone="yellow">
            {queue}
          </Tinted>
        </Text>
      )}
      {failure && (
        <Text wrap="truncate-end">
          {'  '}
          <Tinted on={color} tone="red">
            {failure}
          </Tinted>
        </Text>
      )}
    </Box>
  );
}

export interface LiveViewHandle {
  update(snapshot: WatchSnapshot): void;
  /** Unmounts, leaving the last frame on screen. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Mounts the live view on ctx.stderr (stdout stays for data). */
export function renderLiveView(ctx: Ctx, title: string): LiveViewHandle {
  const color = useColor(ctx, ctx.stderr);
  const startedAt = Date.now();
  let snapshot: WatchSnapshot | undefined;
  const view = (done: boolean) => <LiveView title={title} snapshot={snapshot} color={color} startedAt={startedAt} done={done} />;
  const instance = render(view(false), { stdout: ctx.stderr as NodeJS.WriteStream, patchConsole: false, exitOnCtrlC: false });
  let stopping: Promise<void> | undefined;
  return {
    update(next) {
      if (stopping) return;
      snapshot = next;
      instance.rerender(view(false));
    },
    stop() {
      stopping ??= (async () => {
        // A last frame with the final elapsed time, then unmount: ink leaves it on screen.
        instance.rerender(view(true));
        const exited = instance.waitUntilExit();
        instance.unmount();
        await exited;
      })();
      return stopping;
    },
  };
}
