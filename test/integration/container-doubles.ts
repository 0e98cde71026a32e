/**
 * TEST DOUBLES of the docker and podman CLIs, for a machine where no container engine runs. They
 * are NOT container runtimes:
 * - `info` (docker) or `version` (podman) answers as a live engine does;
 * - `run` parses the options the daemon passes and runs the command as a plain local process (in
 *   the sandbox, the current dir);
 * - `exec` runs nothing: it records its arguments (one line per call, each argument followed by
 *   \x1f, in `exec-invocations.log`) and answers as the file `exec-answer` beside it says: an exit
 *   code (0 when there is no such file), or `hang` (it sleeps until killed; its pid in
 *   `exec-hanging.pid`).
 * Every call is logged in `double-invocations.log` beside the double.
 */
export const DOCKER_DOUBLE = `#!/bin/sh
# TEST DOUBLE of the docker CLI, written by test/integration/container-doubles.ts: not a runtime.
here="$(dirname "$0")"
echo "$*" >> "$here/double-invocations.log"
case "$1" in
  info) echo "24.0.0-test-double"; exit 0 ;;
  run) shift ;;
  exec)
    printf '%s\\037' "$@" >> "$here/exec-invocations.log"
    printf '\\n' >> "$here/exec-invocations.log"
    answer="$(cat "$here/exec-answer" 2>/dev/null || echo 0)"
    if [ "$answer" = hang ]; then echo $$ > "$here/exec-hanging.pid"; exec sleep 600; fi
    if [ "$answer" != 0 ]; then echo "check failed in the container (test double)" >&2; fi
    exit "$answer" ;;
  *) echo "docker test double: unsupported command $1" >&2; exit 2 ;;
esac
entrypoint=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rm|--privileged|--*=*) shift ;;
    --name|--network|-v|-w|-p) shift 2 ;;
    -e) export "$2"; shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    -*) echo "docker test double: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
shift # the image
if [ -n "$entrypoint" ]; then exec "$entrypoint" "$@"; fi
exec "$@"
`;

/**
 * The podman CLI's double: it answers the probes as Podman 4 does (its version has .Version; its
 * info has no .ServerVersion) and runs and execs like the docker double.
 */
export const PODMAN_DOUBLE = DOCKER_DOUBLE.replace('TEST DOUBLE of the docker CLI', 'TEST DOUBLE of the podman CLI').replace(
  '  info) echo "24.0.0-test-double"; exit 0 ;;',
  [
    '  version) if [ "$3" = "{{.Version}}" ]; then echo "4.3.1-test-double"; exit 0; fi; exit 125 ;;',
    '  info) echo "Error: template: info:1:2: executing \\"info\\" at <.ServerVersion>: can\'t evaluate field ServerVersion" >&2; exit 125 ;;',
  ].join('\n'),
);

/** The calls `exec` recorded, each as its argument list. */
export function execCalls(log: string): string[][] {
  return log
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\x1f').slice(0, -1));
}
