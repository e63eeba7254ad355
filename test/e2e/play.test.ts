import { describePlaySuite } from './play-suite.js';

describePlaySuite('play over WebSockets, SQLite journal', () => ({}));
