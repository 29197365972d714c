@outline
Feature: Outline with background

  Background:
    Given the bench is powered

  Scenario Outline: Cut power at <percent>% of the transfer
    When power is cut at <percent>% of the transfer
    Then the chip boots image "<image>"

    Examples: early cuts
      | percent | image |
      | 10      | A     |
      | 40      | A     |

    @late
    Examples: late cuts
      | percent | image |
      | 95      | B     |

  Scenario: A plain scenario after the outline
    When power is cut at 0% of the transfer
