Feature: Broken
  Scenario: Bad
    Given a step that passes
  this line is not gherkin
