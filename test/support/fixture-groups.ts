/**
 * The fixtures in two databases, for the suites that build every fixture table at once
 * (introspection, inspectdb): every field type (all-fields), every way of declaring a relation
 * (library), uniqueTogether, indexes and descriptions (warehouse) in one; schema-models, whose
 * class names clash with library's, in the other.
 */
import type { ModelSource } from '../../src/index.js';
import { AllFields, Defaults, Renamed, RequiredFields, Stamped, UuidKeyed, Validated } from '../fixtures/all-fields.js';
import { libraryModels } from '../fixtures/library.js';
import { schemaModels } from '../fixtures/schema-models.js';
import { warehouseModels } from '../fixtures/warehouse.js';

export const FIXTURE_GROUPS: Readonly<Record<string, readonly ModelSource[]>> = {
  fixtures: [AllFields, RequiredFields, Defaults, Stamped, Validated, Renamed, UuidKeyed, ...Object.values(libraryModels), ...Object.values(warehouseModels)],
  schema_models: Object.values(schemaModels),
};
