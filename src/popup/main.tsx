/**
 * @module popup/main — the popup entry (bundled to popup.js, loaded by extension/popup.html). The
 * same page is the full-tab report page with `?view=page`. Wires the real platform into the App:
 * the background client, the active tab, the recovery-key Worker, randomness for export salts.
 */
import { render } from 'preact';
import { App, type ViewMode } from './App.tsx';
import { backgroundApi, extensionUrl, targetTabId } from './api.ts';

const search = location.search;
const mode: ViewMode = new URLSearchParams(search).get('view') === 'page' ? 'page' : 'popup';
document.documentElement.classList.add(mode === 'page' ? 'view-page' : 'view-popup');

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(
    <App
      api={backgroundApi()}
      mode={mode}
      search={search}
      targetTab={() => targetTabId(search)}
      createWorker={async () => new Worker(await extensionUrl('worker.js'))}
      randomBytes={(n) => crypto.getRandomValues(new Uint8Array(n))}
      close={() => window.close()}
    />,
    root,
  );
}
