// Ambient types for Vite's worker imports (`./x.worker.ts?worker`).
declare module '*?worker' {
  const WorkerConstructor: { new (): Worker };
  export default WorkerConstructor;
}

declare module 'monaco-editor/editor/editor.worker.js?worker' {
  const WorkerConstructor: { new (): Worker };
  export default WorkerConstructor;
}

// Side-effect imports Vite bundles: styles and Monaco's contributions (no typings of their own).
declare module '*.css';
declare module 'monaco-editor/editor/browser/*';
declare module 'monaco-editor/editor/contrib/*';
declare module 'monaco-editor/editor/common/*';
declare module 'monaco-editor/base/*';
declare module 'monaco-editor/languages/*';
