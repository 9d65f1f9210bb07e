import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { AppSyncFieldError } from './field-error.js';
import { selectedFieldNames, withSelectedData } from './selected-fields.js';

/** The resolve info of the first root field of a document, as graphql-js hands it to a resolver. */
function infoOf(source: string): { fieldNodes: FieldNode[]; fragments: Record<string, FragmentDefinitionNode> } {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments };
}

void describe('selected fields', () => {
  void it('names the fields under the field, through inline fragments and (recursive) named fragments', () => {
    const info = infoOf(
      'mutation { updateTodo(input: {}) { id ...A ... on Todo { done } post { title } } } fragment A on Todo { name ...B } fragment B on Todo { _version ...A }',
    );
    assert.deepEqual([...selectedFieldNames(info)].sort(), ['_version', 'done', 'id', 'name', 'post']);
  });

  void it("cuts a conflict's item to the selection, null where the item has no value, hidden fields left out", () => {
    const info = infoOf('mutation { updateTodo(input: {}) { id name secret _deleted } }');
    const conflict = new AppSyncFieldError('ConflictUnhandled', 'Conflict resolver rejects mutation.', {
      data: { id: '1', name: 'n', secret: 's', tags: ['t'], _version: 2 },
    });
    const out = withSelectedData(conflict, info, () => ['secret']) as AppSyncFieldError;
    assert.deepEqual(
      { errorType: out.errorType, message: out.message, data: out.data },
      { errorType: 'ConflictUnhandled', message: 'Conflict resolver rejects mutation.', data: { id: '1', name: 'n', _deleted: null } },
    );
    const other = new AppSyncFieldError('Unauthorized', 'no');
    assert.equal(
      withSelectedData(other, info, () => []),
      other,
      'any other error as it is',
    );
  });
});
