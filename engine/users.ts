// `/users` and `/users/{id}`: the users the engine knows, as oVirt represents them, because every job links its
// owner there and the SDKs (and ansible's fetch_nested) follow that link.
import type { ApiRoutes } from './api-router';
import { param, represent } from './api-router';
import type { Authenticator, User } from './auth';
import { found } from './faults';
import { collection, entity, href } from './representation';
import type { Entity } from './representation';

/** oVirt names the internal domain's authorization provider `internal-authz`. */
const authz = (domain: string): string => `${domain}-authz`;

function userModel(user: User): Entity {
  return {
    name: user.name,
    namespace: '*',
    principal: user.name,
    user_name: `${user.name}@${authz(user.domain)}`,
    domain: { name: authz(user.domain) },
    href: href(`/users/${user.id}`),
    id: user.id,
  };
}

export function usersRoutes(router: ApiRoutes, auth: Authenticator): void {
  router.get('/users', () => represent(collection('user', auth.users().map(userModel))));
  router.get('/users/:id', (call) =>
    represent(entity('user', userModel(found(auth.userById(param(call, 'id')), param(call, 'id'))))),
  );
}
