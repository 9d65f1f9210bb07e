import { isAbsolute, join, resolve } from 'node:path';
import type { Project } from '@forte/protocol';
import { FRAMEWORK_DEFAULTS, isFramework, type JavascriptConfig } from './frameworks.js';

export const FRONTEND_NAME = 'javascript';

/** The javascript settings of project-config.json, with the framework's defaults for missing keys. */
export function javascriptConfigOf(project: Project): JavascriptConfig {
  const section = project.config[FRONTEND_NAME] as { framework?: unknown; config?: Partial<JavascriptConfig> } | undefined;
  const defaults = FRAMEWORK_DEFAULTS[isFramework(section?.framework) ? section.framework : 'none'];
  return { ...defaults, ...section?.config };
}

/** A project-relative directory setting (`src`, `./`, `/` = the project root) as an absolute path. */
export function projectDir(project: Project, dir: string): string {
  const trimmed = dir.replace(/^\/+/, '');
  if (trimmed === '' || trimmed === '.' || trimmed === './') return project.root;
  return isAbsolute(trimmed) ? trimmed : resolve(join(project.root, trimmed));
}
