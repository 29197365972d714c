@sim
Feature: Tagged

  @fast
  Scenario: Fast on sim
    Given a step that passes

  @slow
  Scenario: Slow on sim
    Given a step that passes

  @fast @hardware
  Scenario: Fast on hardware
    Given a step that passes
