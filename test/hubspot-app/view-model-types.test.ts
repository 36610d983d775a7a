// hubspot-app carries its own copy of the view-model types (it is uploaded alone and may import
// nothing outside its folder). These checks fail `tsc` — and this test — when the copies drift
// from shared/view-model.ts in either direction.
import { describe, expectTypeOf, it } from 'vitest';
import type * as Shared from '../../shared/view-model.ts';
import type * as Cards from '../../hubspot-app/src/app/cards/lib/types.ts';
import type * as Settings from '../../hubspot-app/src/app/settings/lib/types.ts';

/** Compiles only if A and B are assignable both ways. */
function mutuallyAssignable<A, B>(_check: [A] extends [B] ? ([B] extends [A] ? true : 'B is not assignable to A') : 'A is not assignable to B') {}

describe('hubspot-app view-model copies', () => {
  it('ContactView, ContactAction and SettingsView match shared/view-model.ts both ways', () => {
    mutuallyAssignable<Shared.ContactView, Cards.ContactView>(true);
    mutuallyAssignable<Shared.SettingsView, Cards.SettingsView>(true);
    mutuallyAssignable<Shared.ContactAction, Cards.ContactAction>(true);
    mutuallyAssignable<Shared.ContactView, Settings.ContactView>(true);
    mutuallyAssignable<Shared.SettingsView, Settings.SettingsView>(true);

    // Stricter: identical, so an optional field added on one side only is caught too.
    expectTypeOf<Cards.ContactView>().toEqualTypeOf<Shared.ContactView>();
    expectTypeOf<Cards.SettingsView>().toEqualTypeOf<Shared.SettingsView>();
    expectTypeOf<Cards.ContactAction>().toEqualTypeOf<Shared.ContactAction>();
    expectTypeOf<Cards.LeadStatus>().toEqualTypeOf<Shared.LeadStatus>();
    expectTypeOf<Cards.Notice>().toEqualTypeOf<Shared.Notice>();
  });
});
