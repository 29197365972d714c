Feature: Step parameters
  Steps capture values with Cucumber expressions and regular expressions.

  Scenario: Parameters are converted to the method's types
    Given the chip 2 has firmware "1.4.0-rc1"
    And the chip -1 has firmware '2.0'
    When the bench switches to power-save mode
    Then the register 0x1F reads 42
    And the voltage is 3.3 volts
    And there is 1 chip listening
    And there are 3 chips listening
    Given the power is on
    When the operator says anything at all, really
