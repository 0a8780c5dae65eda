import './styles.css';
import { requestAreaLists } from './api/areaLists.js';
import { createApiClient } from './api/client.js';
import { initialLanguage, setLanguage } from './i18n/index.js';

setLanguage(initialLanguage());
// The area lists are asked for first and the map code (MapLibre, most of the page's script)
// loaded after, so the server answers while the browser compiles it.
const api = createApiClient();
const areaLists = requestAreaLists(api);
import('./app.js')
  .then(({ startApp }) => startApp(api, areaLists))
  .catch((error: unknown) => {
    console.error('Tessera failed to start', error);
  });
