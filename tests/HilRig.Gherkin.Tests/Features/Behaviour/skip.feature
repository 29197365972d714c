Feature: Skip semantics

  Scenario: A step skips the scenario and a later step has no definition
    Given a step that skips the scenario
    Then a step nobody has written yet

  @needs-bench
  Scenario: A hook skips through Reqnroll's runtime provider
    Given a step that passes
    Then a step nobody has written either

  Scenario: A driver's constructor skips the scenario
    Given a step whose driver cannot run here
    Then a step that must not run
