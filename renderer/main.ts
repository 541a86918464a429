// Renderer entry: styles, the React root, then start-up (restore the autosaved
// workspace, greet the host, load the examples). The root's data-state goes to
// "ready" once the studio can be used (e2e tests wait on it).

import './styles.css';
import { createRoot } from 'react-dom/client';
import { createElement } from 'react';
import { App } from './components/app';
import { initStudio } from './state/actions';
import { useStore } from './state/store';

const root = document.getElementById('app')!;
createRoot(root).render(createElement(App));
useStore.subscribe((s) => {
  root.dataset.state = s.ready ? 'ready' : 'loading';
  root.dataset.host = s.hello?.host ?? '';
});
initStudio().catch((err: unknown) => {
  console.error('PT2 Studio failed to start:', err);
  root.dataset.state = 'error';
});
