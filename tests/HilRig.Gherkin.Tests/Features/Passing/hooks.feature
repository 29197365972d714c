@hooks
Feature: Hooks

  Scenario: First hooked scenario
    Given a hooked step runs

  Scenario: Second hooked scenario
    Given a hooked step runs
