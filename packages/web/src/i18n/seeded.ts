/**
 * Text the server seeds, in the user's language: the teams of a new tenant (by their `shipyard.dev/team`
 * label), the built-in role templates (by name) and audit verbs. A seeded text is translated only while it is
 * still the seed's (en.ts's `seed` has the server's English words): a team or template an administrator renamed
 * or described anew shows as they wrote it, and so does anything the console has no words for.
 */
import type { TFunction } from 'i18next';
import { en } from './en';

type Named = {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { displayName?: string; description?: string };
};
type Team = keyof typeof en.seed.teams;
type Template = keyof typeof en.seed.templates;
type Verb = keyof typeof en.seed.verbs;

const isTeam = (k: string | undefined): k is Team => !!k && Object.hasOwn(en.seed.teams, k);
const isTemplate = (k: string): k is Template => Object.hasOwn(en.seed.templates, k);
const isVerb = (k: string): k is Verb => Object.hasOwn(en.seed.verbs, k);

/** A group's display name and description; those of a tenant's seeded team in the user's language. */
export function groupText(t: TFunction, g: Named): { name?: string; description?: string } {
  const team = g.metadata.labels?.['shipyard.dev/team'];
  if (!isTeam(team)) return { name: g.spec.displayName, description: g.spec.description };
  const seed = en.seed.teams[team];
  return {
    name: g.spec.displayName === seed.name ? t(`seed.teams.${team}.name`) : g.spec.displayName,
    description:
      g.spec.description === seed.description ? t(`seed.teams.${team}.description`) : g.spec.description,
  };
}

/** A role template's display name and description; those of a built-in one in the user's language. */
export function templateText(t: TFunction, x: Named): { name?: string; description?: string } {
  const name = x.metadata.name;
  if (!isTemplate(name)) return { name: x.spec.displayName, description: x.spec.description };
  const seed = en.seed.templates[name];
  return {
    name: x.spec.displayName === seed.name ? t(`seed.templates.${name}.name`) : x.spec.displayName,
    description:
      x.spec.description === seed.description ? t(`seed.templates.${name}.description`) : x.spec.description,
  };
}

/** An audit record's verb in the user's language (an unknown one as the server wrote it). */
export const verbText = (t: TFunction, verb: string): string =>
  isVerb(verb) ? t(`seed.verbs.${verb}`) : verb;
