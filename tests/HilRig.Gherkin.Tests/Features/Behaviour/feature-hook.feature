@broken-feature-hook
Feature: A feature whose BeforeFeature hook fails

  Scenario: First scenario of the feature
    Given a step that passes

  Scenario: Second scenario of the feature
    Given a step that passes
