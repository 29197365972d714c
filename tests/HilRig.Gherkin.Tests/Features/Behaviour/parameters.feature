Feature: Parameter types and conversions

  Scenario: A custom {node} parameter type
    Given node n2 is powered
    Then node n2 reads firmware "1.2.0"

  Scenario: Arguments written for the old runner still convert
    Given the chip mode is power-save
    And the chip mode is Power Save
    And the chip mode is NORMAL
    And the flag is yes
    And the flag is off
    And the flag is True
    And the address is 0x1F
    And the address is 42
    Then the chip answers
    And the chip answers within 30 ms
