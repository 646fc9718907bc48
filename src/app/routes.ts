/** The pages of the app, addressed by the URL fragment (`#/settings`). */
export const routes = ['groups', 'contacts', 'network', 'settings', 'identity'] as const;
export type Route = (typeof routes)[number];

/** The page a fragment names; unknown fragments open Groups. */
export function routeOf(hash: string): Route {
  const name = hash.replace(/^#\/?/, '');
  return (routes as readonly string[]).includes(name) ? (name as Route) : 'groups';
}
