// picomatch ships no type declarations; this is the part of its API the query-file globs use.
declare module 'picomatch' {
  interface PicomatchOptions {
    dot?: boolean;
  }
  interface ScanResult {
    base: string;
    glob: string;
    isGlob: boolean;
  }
  function picomatch(glob: string | string[], options?: PicomatchOptions): (path: string) => boolean;
  namespace picomatch {
    function scan(glob: string): ScanResult;
  }
  export default picomatch;
}
