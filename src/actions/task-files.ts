/** The last lines a task wrote to one of its files, for the reports of failures. */
import type { Scheduler, TaskRef } from '../scheduler/types.js';

export async function stderrTail(scheduler: Scheduler, task: TaskRef, lines: number): Promise<string[]> {
  const reader = await scheduler.openLog(task, 'stderr');
  if (!reader) return [];
  try {
    const tail = await reader.tail(lines);
    // A last line without its newline is still the last thing the task said.
    return (tail.partial ? [...tail.lines, tail.partial] : tail.lines).slice(-lines);
  } finally {
    reader.close();
  }
}
