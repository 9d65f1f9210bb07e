/** Amplify's editor choices (editor-selection.ts): the value is what local-env-info.json's defaultEditor keeps. */
export const EDITORS = [
  { name: 'Visual Studio Code', value: 'vscode', command: ['code', '--wait'] },
  { name: 'Android Studio', value: 'android-studio', command: ['studio', '--wait'] },
  { name: 'Xcode (macOS only)', value: 'xcode', command: ['open', '-W', '-a', 'Xcode'] },
  { name: 'Atom Editor', value: 'atom', command: ['atom', '--wait'] },
  { name: 'Sublime Text', value: 'sublime', command: ['subl', '--wait'] },
  { name: 'IntelliJ IDEA', value: 'intellij', command: ['idea', '--wait'] },
  { name: 'Vim (via Terminal, macOS only)', value: 'vim', command: ['vim'] },
  { name: 'Emacs (via Terminal, macOS only)', value: 'emacs', command: ['emacs'] },
  { name: 'None', value: 'none', command: [] },
] as const;

export type Editor = (typeof EDITORS)[number];

export const DEFAULT_EDITOR = 'vscode';

/** The editor of a defaultEditor value; earlier values are accepted as Amplify's normalizeEditor does (`code`, `idea14ce`, any case). */
export function editorOf(value: string | undefined): Editor | undefined {
  const lower = value?.toLowerCase();
  const normal = lower === 'code' ? 'vscode' : lower === 'idea14ce' ? 'intellij' : lower;
  return EDITORS.find((e) => e.value === normal);
}
