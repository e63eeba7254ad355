import { describePlaySuite, singleServer } from './play-suite.js';

describePlaySuite('play over WebSockets, SQLite journal', singleServer(() => ({})));
