/**
 * The secret a server without CAIRN_TOKEN_SECRET signs with, so that `npm start` and `cairnctl`
 * work together out of the box. Anyone can mint tokens with it: never use it in production
 * (the server warns at start when it does).
 */
export const DEV_TOKEN_SECRET = 'cairn-development-secret-do-not-use-in-production';
