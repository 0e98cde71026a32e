/**
 * Rendering a package into a Marathon app exactly as Cosmos does: defaults merged with the user's
 * options, validated, the template rendered with `resource` merged last, the JSON checked, the
 * DCOS_PACKAGE_* labels added last (the template cannot override them), and `--app-id` applied.
 * `renderAndCheck` then validates the result as a Marathon app definition.
 */
import { DcosError } from '../core/errors.js';
import { isObject, nestedTooDeep, TOO_DEEP } from '../core/json-checks.js';
import { APP_ID_RULE, appIdProblem, normalizeAppId } from '../marathon/app-id.js';
import { validateApp } from '../marathon/app-validation.js';
import { mirrorResource, usedBy, type AssetMirror, type MirroredAsset } from './assets.js';
import { renderTemplate } from './mustache.js';
import { packageLabels } from './labels.js';
import type { ResolvedPackage } from './model.js';
import { deepMerge, dropNulls, extractDefaults, validateOptions, type JsonObject } from './options.js';

export interface RenderInput {
  pkg: ResolvedPackage;
  /** The user's options, exactly as given (stored in DCOS_PACKAGE_OPTIONS). */
  options: JsonObject;
  appId?: string;
  /** Asset URIs are rewritten to this mirror before the template sees them. */
  mirror?: AssetMirror;
}

export interface RenderResult {
  app: Record<string, unknown>;
  /** With a mirror: the rewritten assets the app refers to (they must exist in the mirror). */
  mirrored: MirroredAsset[];
  /** Defaults merged with the user's options: what the template saw, minus `resource`. */
  resolvedOptions: JsonObject;
}

/** Defaults + options, validated; throws with every problem when they do not fit the package. */
export async function resolveOptions(pkg: ResolvedPackage, options: JsonObject): Promise<JsonObject> {
  const def = pkg.definition;
  const config = def.config;
  const hasOptions = Object.keys(options).length > 0;
  if (!config) {
    if (hasOptions) {
      throw new DcosError('EOPTIONS_NOT_ALLOWED', 'No schema available to validate the provided options', {
        hint: `Package [${def.name}] version [${def.version}] has no config.json, so it takes no options.`,
      });
    }
    return {};
  }
  const merged = deepMerge(extractDefaults(config), options);
  // Cosmos skips validation when there is nothing to validate (no defaults, no options).
  if (Object.keys(merged).length === 0) return merged;
  const details = await validateOptions(config, merged);
  if (details.length) {
    throw new DcosError('EOPTIONS_INVALID', `Options for package [${def.name}] version [${def.version}] failed validation (${details.length} error${details.length === 1 ? '' : 's'})`, {
      details,
      showDetails: true,
      hint: `See the options with: dcos package describe ${def.name} --package-version ${def.version} --config`,
    });
  }
  return merged;
}

export async function renderPackage(input: RenderInput): Promise<RenderResult> {
  const { pkg } = input;
  const def = pkg.definition;
  if (pkg.template === undefined) {
    throw new DcosError('ENO_TEMPLATE', `Package: [${def.name}] version: [${def.version}] does not have a Marathon template defined and can not be rendered`);
  }
  const resolvedOptions = await resolveOptions(pkg, input.options);
  const { resource, rewritten } = input.mirror ? mirrorResource(def.resource, input.mirror) : { resource: def.resource, rewritten: [] };
  const context = deepMerge(resolvedOptions, { resource: (resource ?? {}) as JsonObject });
  const text = renderTemplate(pkg.template, context);
  let app: unknown;
  try {
    app = JSON.parse(text);
  } catch (err) {
    throw new DcosError('ERENDER_JSON', 'Unable to parse the string as a JSON value', {
      details: [{ path: 'marathon.json.mustache', message: `${(err as Error).message}${excerpt(text, err as Error)}` }],
      showDetails: true,
      hint: `The template of package [${def.name}] version [${def.version}] rendered invalid JSON with these options.`,
    });
  }
  if (!isObject(app)) {
    throw new DcosError('ERENDER_NOT_OBJECT', 'Rendered Marathon JSON must be a JSON object');
  }
  if (nestedTooDeep(app)) {
    throw new DcosError('ERENDER_TOO_DEEP', `The Marathon app rendered from package [${def.name}] version [${def.version}] ${TOO_DEEP}`);
  }
  const rendered = app;
  const labels = rendered.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new DcosError('ERENDER_LABELS', 'The rendered app\'s "labels" must be an object of strings', {
      hint: `Package [${def.name}] version [${def.version}] renders labels that Marathon would reject.`,
    });
  }
  rendered.labels = { ...(labels as Record<string, string>), ...packageLabels(def, pkg.sourceUri, dropNulls(input.options)) };
  if (input.appId !== undefined) rendered.id = normalizeAppId(input.appId);
  return { app: rendered, resolvedOptions, mirrored: usedBy(rendered, rewritten) };
}

/** Our addition to Cosmos: the rendered app must be a valid Marathon app definition. */
export function checkMarathonApp(app: Record<string, unknown>, pkg: ResolvedPackage): void {
  const problems = validateApp(app);
  if (problems.length) {
    const def = pkg.definition;
    // Marathon's message for an id is a regular expression: say the rule in words instead.
    const idProblem = typeof app.id === 'string' ? appIdProblem(app.id) : undefined;
    const details = problems.flatMap((p) =>
      p.path === '/id' && idProblem ? [{ path: '/id', message: `"${String(app.id)}": ${idProblem}` }] : p.errors.map((message) => ({ path: p.path, message })),
    );
    const onlyId = problems.every((p) => p.path === '/id');
    throw new DcosError('EAPP_INVALID', `The Marathon app rendered from package [${def.name}] version [${def.version}] is not valid`, {
      details,
      showDetails: true,
      hint: onlyId
        ? `The app id comes from --app-id or from the package's service.name option. ${APP_ID_RULE}`
        : 'The package template or the options produce an app Marathon would reject (paths are in the rendered app).',
    });
  }
}

/** Renders as Cosmos does, then checks the app as Marathon would. */
export async function renderAndCheck(input: RenderInput): Promise<RenderResult> {
  const result = await renderPackage(input);
  checkMarathonApp(result.app, input.pkg);
  return result;
}

function excerpt(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return '';
  const pos = Number(m[1]);
  const line = text.slice(0, pos).split('\n').length;
  const lines = text.split('\n');
  return ` (rendered line ${line}: ${lines[line - 1]?.trim().slice(0, 120)})`;
}
