@injection
Feature: Context injection

  Scenario: Two bindings share one object
    Given the first binding writes "hello" into the shared journal
    Then the second binding reads "hello" from the shared journal

  Scenario: The next scenario gets a fresh object
    Then the shared journal is empty
