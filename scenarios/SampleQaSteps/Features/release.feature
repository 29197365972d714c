@sim @qa-sample
Feature: A QA team's own step library
  The steps below live in scenarios/SampleQaSteps (SampleQaSteps.dll): a team's library written against Reqnroll's
  API and the rig's drivers alone, with a parameter type of its own ({chip}) and a hook of its own. Run it with
    hilrig run scenarios/SampleQaSteps/Features --steps scenarios/SampleQaSteps/bin/Debug/net10.0/SampleQaSteps.dll

  Scenario: A release rolls out to the whole chain, in the QA team's words
    Given a fresh chain on the bench
    When release "1.1.0" is rolled out to the chain
    Then the rollout ends with "campaign-complete"
    And chip1 completed its upgrade
    And chip3 completed its upgrade
