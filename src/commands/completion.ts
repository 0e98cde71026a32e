import type { Ctx } from '../core/context.js';
import { UsageError } from '../core/errors.js';

const SCRIPTS: Record<string, string> = {
  bash: `# dcos completion for bash. Load it with: source <(dcos completion bash)
_dcos_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(dcos __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _dcos_complete dcos
`,
  zsh: `#compdef dcos
# dcos completion for zsh. Load it with: source <(dcos completion zsh)
_dcos() {
  local -a candidates
  candidates=("\${(@f)$(dcos __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
compdef _dcos dcos
`,
  fish: `# dcos completion for fish. Install it with: dcos completion fish > ~/.config/fish/completions/dcos.fish
function __dcos_complete
    set -l tokens (commandline -opc) (commandline -ct)
    dcos __complete $tokens[2..-1] 2>/dev/null
end
complete -c dcos -f -a '(__dcos_complete)'
`,
};

export async function run(ctx: Ctx, [shell]: readonly [string]): Promise<void> {
  // Own keys only: "toString" is no shell.
  const script = Object.hasOwn(SCRIPTS, shell) ? SCRIPTS[shell] : undefined;
  if (!script) throw new UsageError(`Unsupported shell "${shell}"`, { hint: 'Choose one of: bash, zsh, fish.' });
  ctx.stdout.write(script);
}
