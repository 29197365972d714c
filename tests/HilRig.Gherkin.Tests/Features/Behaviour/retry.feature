Feature: Retry of a failed scenario

  Scenario: A flaky step fails twice, then passes
    Given a step that fails its first 2 attempts

  Scenario: A broken step fails every attempt
    Given a step that fails its first 9 attempts
