/**
 * GraphiQL from the project's own bundle (no CDN): the editor, with the same credentials box
 * as the dashboard. The credential goes in the Authorization header of every request and
 * in the WebSocket's init payload for subscriptions.
 */
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/graphiql.css';
import { authorizationHeader, storeCredential, storedCredential } from '../graphql/client';

function fetcher() {
  const authorization = authorizationHeader();
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return createGraphiQLFetcher({
    url: `${location.origin}/graphql`,
    subscriptionUrl: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    headers,
    wsConnectionParams: authorization === undefined ? {} : { authorization },
  });
}

const root = createRoot(document.getElementById('graphiql')!);
const render = () => root.render(createElement(GraphiQL, { fetcher: fetcher() }));

const form = document.getElementById('credentials') as HTMLFormElement;
const input = document.getElementById('credential') as HTMLInputElement;
const status = document.getElementById('credential-status')!;
const showStatus = () => {
  status.textContent =
    storedCredential() === null ? 'no credential sent' : 'credential set for this tab';
};
form.addEventListener('submit', (event) => {
  event.preventDefault();
  storeCredential(input.value);
  input.value = '';
  showStatus();
  render();
});
document.getElementById('forget')!.addEventListener('click', () => {
  storeCredential(null);
  showStatus();
  render();
});
showStatus();
render();
