@order
Feature: Hook order

  Scenario: After hooks run in the reverse of the Before hooks' order
    Given a step that passes
