import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { unknownVariableFieldMessage } from './subscription-variables.js';

const schema = buildSchema(/* GraphQL */ `
  input StringFilter {
    eq: String
  }
  input NoteFilter {
    text: StringFilter
    and: [NoteFilter]
    or: [NoteFilter]
  }
  type Note {
    id: ID!
  }
  type Query {
    n: Note
  }
  type Subscription {
    onNote(filter: NoteFilter, owner: String): Note
  }
`);
const definitions = getOperationAST(
  parse('subscription ($filter: NoteFilter, $owner: String) { onNote(filter: $filter, owner: $owner) { id } }'),
)!.variableDefinitions!;
const message = (variables: Record<string, unknown>): string | undefined => unknownVariableFieldMessage(schema, definitions, variables);

void describe('unknownVariableFieldMessage', () => {
  void it("names the first field an input object lacks, and its type, in AppSync's words", () => {
    assert.equal(
      message({ filter: { and: [{ not: { text: { eq: 'x' } } }] } }),
      "The variables input contains a field name 'not' that is not defined for input object type 'NoteFilter' ",
    );
    assert.equal(
      message({ filter: { or: { text: { eq: 'a', ne: 'b' } } } }),
      "The variables input contains a field name 'ne' that is not defined for input object type 'StringFilter' ",
    );
  });

  void it('leaves every other value to graphql-js', () => {
    assert.equal(message({ filter: { and: [{ text: { eq: 'x' } }] }, owner: 'alice' }), undefined);
    assert.equal(message({ filter: 'not an object', owner: 7 }), undefined);
    assert.equal(message({}), undefined);
  });
});
