Feature: Tables and doc strings

  Scenario: A data table and a doc string bind to the last parameter
    Given these chips:
      | name  | address |
      | left  | 0x10    |
      | right | 0x11    |
    Then the wiring reads:
      """
      chain: left -> right
      """
