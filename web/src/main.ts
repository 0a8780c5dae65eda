import './styles.css';
import { startApp } from './app.js';
import { initialLanguage, setLanguage } from './i18n/index.js';

setLanguage(initialLanguage());
startApp().catch((error: unknown) => {
  console.error('Tessera failed to start', error);
});
