/**
 * A TEST DOUBLE of the docker CLI, for what real Podman cannot show: the Docker flavour of the
 * agent's calls (detected by `info`, images looked up with `image inspect`, no passthrough log
 * driver: Docker's CLI streams the container's output itself). It is NOT a container runtime:
 * - `info` answers as a live engine does (its version, or limits support for `{{json .}}`);
 * - `image inspect` says every image is present;
 * - `run` parses the options the daemon passes and runs the command as a plain local process (in
 *   the sandbox, the current dir), recording its pid and labels under `containers/<name>`;
 * - `container inspect`, `ps -a --filter label=...`, `stop` and `rm -f` answer from those records
 *   (a "container" runs while its process lives);
 * - anything else fails.
 * Every call is logged in `double-invocations.log` beside the double.
 */
export const DOCKER_DOUBLE = `#!/bin/sh
# TEST DOUBLE of the docker CLI, written by test/integration/container-doubles.ts: not a runtime.
here="$(dirname "$0")"
state="$here/containers"
mkdir -p "$state"
echo "$*" >> "$here/double-invocations.log"
case "$1" in
  info)
    if [ "$3" = "{{json .}}" ]; then echo '{"CPUCfsQuota":true,"MemoryLimit":true}'; else echo "24.0.0-test-double"; fi
    exit 0 ;;
  image) exit 0 ;;
  container)
    shift 2
    out="["; sep=""; rc=0
    for n in "$@"; do
      if [ -f "$state/$n.pid" ]; then
        pid="$(cat "$state/$n.pid")"; running=false
        if kill -0 "$pid" 2>/dev/null; then running=true; else pid=0; fi
        out="$out$sep{\\"Id\\":\\"double-$n\\",\\"Name\\":\\"/$n\\",\\"State\\":{\\"Running\\":$running,\\"Pid\\":$pid},\\"Config\\":{\\"Labels\\":{$(cat "$state/$n.labels")}}}"
        sep=","
      else
        echo "Error: No such container: $n" >&2; rc=1
      fi
    done
    echo "$out]"; exit $rc ;;
  ps)
    want="$(echo "$4" | sed -e 's/^label=//' -e 's/=/":"/')"
    for f in "$state"/*.labels; do
      [ -f "$f" ] || continue
      if grep -q "\\"$want\\"" "$f"; then basename "$f" .labels; fi
    done
    exit 0 ;;
  stop)
    pid="$(cat "$state/$4.pid" 2>/dev/null)"
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    exit 0 ;;
  rm)
    pid="$(cat "$state/$3.pid" 2>/dev/null)"
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    rm -f "$state/$3.pid" "$state/$3.labels"
    exit 0 ;;
  run) shift ;;
  *) echo "docker test double: unsupported command $1" >&2; exit 2 ;;
esac
entrypoint=""
name=""
labels=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rm|--privileged|--*=*) shift ;;
    --name) name="$2"; shift 2 ;;
    --label) labels="$labels\${labels:+,}\\"$(echo "$2" | sed 's/=/":"/')\\""; shift 2 ;;
    --network|-v|-w|-p) shift 2 ;;
    -e) export "$2"; shift 2 ;;
    --entrypoint) entrypoint="$2"; shift 2 ;;
    -*) echo "docker test double: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
shift # the image
echo "$labels" > "$state/$name.labels"
echo $$ > "$state/$name.pid"
if [ -n "$entrypoint" ]; then exec "$entrypoint" "$@"; fi
exec "$@"
`;
