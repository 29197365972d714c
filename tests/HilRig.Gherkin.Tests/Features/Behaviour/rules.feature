Feature: Rules

  Rule: Resume after a power cut

    Scenario: The chip comes back
      Given a step that passes

  Rule: Resume after a UART disconnect

    Scenario: The chip comes back
      Given a step that passes
