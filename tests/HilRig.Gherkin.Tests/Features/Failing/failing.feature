Feature: Failures

  Scenario: A failing step skips the rest
    Given a step that passes
    When a step throws "the DUT did not answer"
    Then a step that must not run

  Scenario: An undefined step suggests a snippet
    Given the chip 3 is powered by "bench A"

  Scenario: An ambiguous step lists every match
    Given an ambiguous step

  Scenario: A pending step
    Given a step that is pending

  Scenario: A skipped scenario
    Given a step that skips the scenario
    Then a step that must not run
