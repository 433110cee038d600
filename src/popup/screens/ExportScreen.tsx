/**
 * @module popup/screens/ExportScreen — export (issue 4 item 6): the redacted report, previewed
 * exactly as it will be saved, as readable text or JSON. By default user and room IDs (and the
 * server names in them) are replaced by hashes salted for this export, and session names are left
 * out. A report never holds a token, a private key or a recovery key in the first place.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Report } from '../../core/report/types.ts';
import { exportFiles } from '../view/exportFiles.ts';
import { saveTextFile, copyText } from '../download.ts';

export interface ExportScreenProps {
  readonly report: Report;
  /** 32 random bytes for this export (the same for the preview and the file). */
  readonly salt: Uint8Array;
}

type Format = 'text' | 'json';

/** The export screen. */
export function ExportScreen({ report, salt }: ExportScreenProps) {
  const [hashIds, setHashIds] = useState(true);
  const [dropNames, setDropNames] = useState(true);
  const [format, setFormat] = useState<Format>('text');
  const [note, setNote] = useState('');
  const files = useMemo(() => exportFiles(report, { hashIds, dropDisplayNames: dropNames, salt }), [report, hashIds, dropNames, salt]);
  const content = format === 'json' ? files.json : files.text;
  const name = format === 'json' ? files.jsonName : files.textName;

  return (
    <div class="export">
      <h1 class="screen-title" tabIndex={-1}>
        Export the report
      </h1>
      <p>
        Save the report to send it to someone who helps you, such as your server's support. Look at the preview first: the file holds exactly what it shows.
      </p>
      <div class="card">
        <p class="muted">
          Never in a report: your access token, your private keys, your recovery key or passphrase. Public keys and session IDs stay, so the report can
          still be checked.
        </p>
        <fieldset class="choice">
          <legend>Hide</legend>
          <label>
            <input type="checkbox" checked={hashIds} onChange={(e) => setHashIds((e.currentTarget as HTMLInputElement).checked)} /> User and room IDs (replaced by
            hashes that differ in every export)
          </label>
          <label>
            <input type="checkbox" checked={dropNames} onChange={(e) => setDropNames((e.currentTarget as HTMLInputElement).checked)} /> Session names
          </label>
        </fieldset>
        <fieldset class="choice choice-inline">
          <legend>Format</legend>
          <label>
            <input type="radio" name="format" checked={format === 'text'} onChange={() => setFormat('text')} /> Readable text
          </label>
          <label>
            <input type="radio" name="format" checked={format === 'json'} onChange={() => setFormat('json')} /> JSON
          </label>
        </fieldset>
        <div class="actions">
          <button type="button" class="primary" onClick={() => saveTextFile(name, content, format === 'json' ? 'application/json' : 'text/plain')} aria-describedby="export-name">
            {format === 'json' ? 'Save JSON file' : 'Save text file'}
          </button>
          <button
            type="button"
            onClick={async () => {
              setNote((await copyText(content)) ? 'Copied.' : 'Could not copy; use Save instead.');
            }}
          >
            Copy
          </button>
        </div>
        <p class="muted" id="export-name">
          File name: <span class="mono">{name}</span>
        </p>
        <p role="status" aria-live="polite" class="status-line">
          {note}
        </p>
      </div>
      <h2 class="sub-title" id="preview-title">
        Preview
      </h2>
      {/* tabIndex: a scrollable region must be reachable by keyboard. */}
      <pre class="preview" tabIndex={0} aria-labelledby="preview-title">
        {content}
      </pre>
    </div>
  );
}
