Feature: Control characters [1min[0m names

  Scenario: A failure whose message is coloured [31mred[0m
    When a step throws a message with an escape and a NUL
