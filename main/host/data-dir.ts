// Where the studio keeps its small state on disk (recent files, cached uploads):
// $PT2_STUDIO_DATA_DIR when set (tests point it at a temporary folder), else the
// platform's per-user config folder. Electron passes app.getPath('userData') instead.

import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  const fromEnv = process.env.PT2_STUDIO_DATA_DIR;
  if (fromEnv) return fromEnv;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'pt2-studio');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'pt2-studio');
  return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'pt2-studio');
}
