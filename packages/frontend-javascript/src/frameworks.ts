/** The frameworks of Amplify's javascript frontend and their default settings (framework-config-mapping.js). */
export const FRAMEWORKS = ['react', 'react-native', 'angular', 'ionic', 'vue', 'ember', 'none'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface JavascriptConfig {
  SourceDir: string;
  DistributionDir: string;
  BuildCommand: string;
  StartCommand: string;
}

const BUILD = 'npm run-script build';
const START = 'npm run-script start';

export const FRAMEWORK_DEFAULTS: Record<Framework, JavascriptConfig> = {
  react: { SourceDir: 'src', DistributionDir: 'build', BuildCommand: BUILD, StartCommand: START },
  'react-native': { SourceDir: 'src', DistributionDir: '/', BuildCommand: BUILD, StartCommand: START },
  angular: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: BUILD, StartCommand: 'ng serve' },
  ionic: { SourceDir: 'src', DistributionDir: 'www', BuildCommand: BUILD, StartCommand: 'ionic serve' },
  vue: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: BUILD, StartCommand: 'npm run-script serve' },
  ember: { SourceDir: './', DistributionDir: 'dist', BuildCommand: `${BUILD} -- -e production`, StartCommand: START },
  none: { SourceDir: 'src', DistributionDir: 'dist', BuildCommand: BUILD, StartCommand: START },
};

export function isFramework(value: unknown): value is Framework {
  return typeof value === 'string' && (FRAMEWORKS as readonly string[]).includes(value);
}

/**
 * The framework of a package.json's dependencies (else `none`). Wrappers are checked before what they
 * wrap: react-native apps also depend on react, ionic apps on angular or react.
 */
export function detectFramework(pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined): Framework {
  const deps = { ...pkg?.devDependencies, ...pkg?.dependencies };
  const has = (name: string): boolean => Object.hasOwn(deps, name);
  if (has('react-native')) return 'react-native';
  if (has('@ionic/angular') || has('@ionic/react') || has('@ionic/vue') || has('@ionic/core')) return 'ionic';
  if (has('@angular/core')) return 'angular';
  if (has('ember-source') || has('ember-cli')) return 'ember';
  if (has('vue')) return 'vue';
  if (has('react')) return 'react';
  return 'none';
}
